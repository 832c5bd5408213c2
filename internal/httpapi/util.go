package httpapi

import (
	"crypto/subtle"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

func constantTimeEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// uuidParam reads a path parameter as a UUID; a malformed one is a 404, the
// same answer as a well-formed id that does not exist.
func uuidParam(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, apperr.E(apperr.NotFound, "No such %s.", name)
	}
	return id, nil
}
