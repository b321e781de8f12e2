package seed

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// Command returns `feidi seed`.
func Command(app core.App) *cobra.Command {
	return &cobra.Command{Use: "seed", Short: "Fill the data dir with demo data of the enclave"}
}
