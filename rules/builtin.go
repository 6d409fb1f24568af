package rules

// goRules returns the built-in rules written in Go. The catalog owns this file.
func goRules() []GoRule { return nil }
