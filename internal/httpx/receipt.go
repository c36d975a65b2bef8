package httpx

import (
	"net/http"
	"strings"
)

// ReceiptCookie carries an anonymous vote's receipt from the vote form's
// POST across its redirect to the poll page's GET (Post/Redirect/Get),
// which shows it once and clears it: the receipt is a secret, so it never
// goes into a URL (addresses reach logs and histories), and a refresh of
// the page neither votes again nor shows it again.
const ReceiptCookie = "__Host-quorum_receipt"

// receiptCookieAge bounds how long the receipt waits for its page.
const receiptCookieAge = 120 // seconds

// SetReceiptCookie hands the receipt of a vote in poll pid to the next
// GET of that poll's page.
func SetReceiptCookie(w http.ResponseWriter, pid, receipt string) {
	http.SetCookie(w, &http.Cookie{Name: ReceiptCookie, Value: pid + "." + receipt, Path: "/", MaxAge: receiptCookieAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// TakeReceiptCookie returns the receipt waiting for poll pid's page ("" if
// none) and clears the cookie, so that it is shown once.
func TakeReceiptCookie(w http.ResponseWriter, r *http.Request, pid string) string {
	c, err := r.Cookie(ReceiptCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: ReceiptCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	id, receipt, ok := strings.Cut(c.Value, ".")
	if !ok || id != pid || receipt == "" || len(receipt) > 100 {
		return ""
	}
	return receipt
}
