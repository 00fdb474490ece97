package dev.skiff.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Ports for a real Kafka broker's configuration, which must name them before it starts. */
public final class FreePorts {
    private FreePorts() {}

    /**
     * {@code n} loopback ports free now, all different: every one is held until all are picked, since the kernel
     * may hand out a port it just took back (two picks in a row once named the same port for a broker's
     * listener and its controller's).
     */
    public static int[] distinct(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) s.close();
        }
    }
}
