package i18n

import "golang.org/x/text/number"

// Decimal is f with places digits after the decimal separator, in the
// language's format ("2.50", "2,50").
func (p *Printer) Decimal(f float64, places int) string {
	return p.num.Sprint(number.Decimal(f, number.Scale(places)))
}

// Percent is a percentage given in percent (50.0 for a half) with one
// digit after the separator, in the language's format ("50.0%", "50,0 %").
func (p *Printer) Percent(f float64) string {
	return p.num.Sprint(number.Percent(f/100, number.Scale(1)))
}
