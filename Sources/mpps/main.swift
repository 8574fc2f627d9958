import Commands

// mpps: every subcommand lives in the Commands module.
ProgramEntry.main(MPPS.main)
