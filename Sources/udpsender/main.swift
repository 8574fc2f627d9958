import Commands

// udpsender: the article's sender, in the Commands module.
ProgramEntry.main(UDPSenderCommand.run)
