import PacketIO
