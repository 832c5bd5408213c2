package httpapi

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

// spaHandler serves the SPA's files; unknown paths get index.html so client
// routes work on reload. Hashed assets are cached for a year, index.html never.
func spaHandler(files fs.FS) gin.HandlerFunc {
	fileServer := http.FileServer(http.FS(files))
	return func(c *gin.Context) {
		name := strings.TrimPrefix(path.Clean(c.Request.URL.Path), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(files, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					c.Header("Cache-Control", "public, max-age=31536000, immutable")
				}
				fileServer.ServeHTTP(c.Writer, c.Request)
				return
			}
			if path.Ext(name) != "" {
				writeProblem(c, apperr.E(apperr.NotFound, "No such file: /%s", name))
				return
			}
		}
		index, err := fs.ReadFile(files, "index.html")
		if err != nil {
			writeProblem(c, apperr.Wrap(err, apperr.Internal, "The user interface is missing from this build."))
			return
		}
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", index)
	}
}
