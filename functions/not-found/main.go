// Command not-found serves the $default route: any path or method the API does not have gets
// the contract's JSON 404 instead of API Gateway's own body.
package main

import "github.com/jszg/applicant-accounts/shared/api"

func main() {
	api.Serve(api.NotFoundRoute)
}
