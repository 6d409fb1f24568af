/*
 * oracle.c: batch front end to Debian's libsgutils2 (sg3-utils), the
 * library behind sg_decode_sense, for the differential test in
 * sense/oracle_test.go. Compiled by the test with gcc; the library is
 * opened with dlopen so no -dev package is needed.
 *
 * usage: oracle LIBPATH < commands
 *   V                print sg_lib_version()
 *   K                16 lines: key \t sg_get_sense_key_str(key)
 *   A                65536 lines: asc \t ascq \t sg_get_asc_ascq_str(asc, ascq)
 *   B <hex bytes>    one line per buffer (fields tab separated):
 *                    key asc ascq info_ok info cmd_ok cmd prog_ok prog sense_str
 *                    where sense_str is sg_get_sense_str() with '\n' as '|'.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef char *(*asc_fn)(int, int, int, char *);
typedef char *(*key_fn)(int, int, char *);
typedef const char *(*ver_fn)(void);
typedef bool (*u64fld_fn)(const uint8_t *, int, uint64_t *);
typedef bool (*progfld_fn)(const uint8_t *, int, int *);
typedef int (*sensestr_fn)(const char *, const uint8_t *, int, bool, int, char *);
typedef bool (*norm_fn)(const uint8_t *, int, void *);

static void *sym(void *h, const char *name) {
	void *p = dlsym(h, name);
	if (!p) {
		fprintf(stderr, "oracle: missing symbol %s\n", name);
		exit(3);
	}
	return p;
}

static int hexval(int c) {
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

int main(int argc, char **argv) {
	if (argc != 2) {
		fprintf(stderr, "usage: oracle LIBPATH\n");
		return 2;
	}
	void *h = dlopen(argv[1], RTLD_NOW);
	if (!h) {
		fprintf(stderr, "oracle: %s\n", dlerror());
		return 3;
	}
	asc_fn asc_str = (asc_fn)sym(h, "sg_get_asc_ascq_str");
	key_fn key_str = (key_fn)sym(h, "sg_get_sense_key_str");
	ver_fn version = (ver_fn)sym(h, "sg_lib_version");
	u64fld_fn info_fld = (u64fld_fn)sym(h, "sg_get_sense_info_fld");
	u64fld_fn cmd_fld = (u64fld_fn)sym(h, "sg_get_sense_cmd_spec_fld");
	progfld_fn prog_fld = (progfld_fn)sym(h, "sg_get_sense_progress_fld");
	sensestr_fn sense_str = (sensestr_fn)sym(h, "sg_get_sense_str");
	norm_fn normalize = (norm_fn)sym(h, "sg_scsi_normalize_sense");

	static char line[8192];
	static char buf[16384];
	static uint8_t sb[4096];
	while (fgets(line, sizeof line, stdin)) {
		switch (line[0]) {
		case 'V':
			printf("%s\n", version());
			break;
		case 'K':
			for (int k = 0; k < 16; k++) {
				key_str(k, sizeof buf, buf);
				printf("%d\t%s\n", k, buf);
			}
			break;
		case 'A':
			for (int a = 0; a < 256; a++)
				for (int q = 0; q < 256; q++) {
					buf[0] = 0;
					printf("%d\t%d\t%s\n", a, q, asc_str(a, q, sizeof buf, buf));
				}
			break;
		case 'B': {
			int n = 0, hi = -1;
			for (char *p = line + 1; *p && n < (int)sizeof sb; p++) {
				int v = hexval((unsigned char)*p);
				if (v < 0) continue;
				if (hi < 0) hi = v;
				else { sb[n++] = (uint8_t)(hi << 4 | v); hi = -1; }
			}
			uint8_t hdr[64];
			memset(hdr, 0, sizeof hdr);
			normalize(sb, n, hdr);
			uint64_t info = 0, cmd = 0;
			int prog = 0;
			bool iok = info_fld(sb, n, &info);
			bool cok = cmd_fld(sb, n, &cmd);
			bool pok = prog_fld(sb, n, &prog);
			buf[0] = 0;
			sense_str("", sb, n, false, sizeof buf, buf);
			for (char *p = buf; *p; p++)
				if (*p == '\n') *p = '|';
			printf("%d\t%d\t%d\t%d\t%llu\t%d\t%llu\t%d\t%d\t%s\n", hdr[1], hdr[2], hdr[3],
			       iok, (unsigned long long)info, cok, (unsigned long long)cmd, pok, prog, buf);
			break;
		}
		}
	}
	return 0;
}
