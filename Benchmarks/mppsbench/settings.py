"""The fixed settings every comparison shares: CPU pinning, buffer and payload sizes, rates."""

LOAD_CPU = 0      # the sender / load generator
RECV_CPU = 1      # the receiver
RCVBUF = 4 << 20  # the same receive buffer for both receivers
PAYLOAD = 32
GSO = 64
PACED_RATE = {"f": "800k", "g": "8M"}  # offered loads both receivers keep up with here
