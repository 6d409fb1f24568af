package main

// colorTextStyle styles headings and severities for a terminal.
func colorTextStyle() textStyle { return textStyle{} }
