package klarna_test

import (
	"errors"
	"math/big"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func bigOne() *big.Int { return big.NewInt(1) }
