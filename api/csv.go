package api

import (
	"fmt"
	"regexp"
	"strings"
)

// csvNumber is a CSV cell that Solidaire formatted itself from a number:
// an amount from decimal, a count, a rate. It is written as it is when it
// is a plain number, so that a negative amount ("-12.50", "-12,50") stays
// a number the spreadsheet can add up; anything else in it is neutralised
// like text. Text that came from a person (a label, a name, a reference)
// is never a csvNumber, even when it looks like one: "-2+3" typed as a
// link's label is a formula.
type csvNumber string

// plainNumber is what a csvNumber may be to be written as it is.
var plainNumber = regexp.MustCompile(`^-?[0-9]+([.,][0-9]+)?$`)

// csvRow returns the cells of one row of a CSV export, every one made
// inert for spreadsheets: a cell that a spreadsheet would read as a
// formula, one that begins with =, +, -, @, a tab or a carriage return,
// gets a ' in front (which spreadsheets show as text and do not print).
// Cells are strings (and string types, such as market.Channel) or
// csvNumber, which keeps a negative number as it is; any other value is
// written as text with fmt.Sprint. Every row of every export goes through
// it, headers included.
func csvRow(cells ...any) []string {
	out := make([]string, len(cells))
	for i, cell := range cells {
		switch v := cell.(type) {
		case csvNumber:
			if plainNumber.MatchString(string(v)) {
				out[i] = string(v)
			} else {
				out[i] = csvText(string(v))
			}
		case string:
			out[i] = csvText(v)
		default:
			out[i] = csvText(fmt.Sprint(v))
		}
	}
	return out
}

// csvText neutralises one cell of text (see csvRow).
func csvText(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
