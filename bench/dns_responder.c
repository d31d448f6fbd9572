/* A minimal DNS responder for bench/dns_run.sh: on 127.0.0.1:PORT (argv[1],
 * 0 = any; the port is printed), answers every query with one A record, as
 * fast as it can, until killed. Separate process, so callgrind measures the
 * resolver alone. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	sin.sin_port = htons(argc > 1 ? atoi(argv[1]) : 0);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) { perror("bind"); return 1; }
	getsockname(fd, (struct sockaddr *)&sin, &len);
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);
	for (;;) {
		unsigned char q[1500];
		static const unsigned char rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1};
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		int n = (int)recvfrom(fd, q, sizeof(q) - sizeof(rr), 0, (struct sockaddr *)&from, &fl);
		if (n < 12) continue;
		q[2] |= 0x80; q[3] = 0x80;
		q[7] = 1;
		memcpy(q + n, rr, sizeof(rr));
		sendto(fd, q, n + sizeof(rr), 0, (struct sockaddr *)&from, fl);
	}
}
