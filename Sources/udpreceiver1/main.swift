import Commands

// udpreceiver1: the article's receiver, in the Commands module.
ProgramEntry.main(UDPReceiverCommand.run)
