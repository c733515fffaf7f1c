// What one page hands the next within this tab, in memory only: never in the address (it would
// stay in the history) nor in storage. A finished registration or reset gives the login page
// the account (the document number) so the applicant need not type it again.
let account = ''

export function handAccount(a: string): void {
  account = a
}

/** takeAccount gives the handed account once, then forgets it. */
export function takeAccount(): string {
  const a = account
  account = ''
  return a
}
