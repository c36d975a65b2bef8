package handlerkit

import (
	"context"
	"net/http"
)

// Download answers 303 to a short-lived presigned GET, only for people
// who can see the thread; it is never cached.
func Download(w http.ResponseWriter, r *http.Request, discussions Downloads) error {
	u, err := discussions.DownloadURL(r.Context(), r.PathValue("tid"), r.PathValue("fid"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, u, http.StatusSeeOther)
	return nil
}

// Downloads presigns an attachment's download (*discussion.Service
// implements it).
type Downloads interface {
	DownloadURL(ctx context.Context, tid, fid string) (string, error)
}
