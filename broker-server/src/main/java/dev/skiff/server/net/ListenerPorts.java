package dev.skiff.server.net;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;

/**
 * Binds listeners. Port 0 ("any free port") is looked for below the kernel's ephemeral range first (Linux's
 * {@code net.ipv4.ip_local_port_range}): the kernel hands ports of that range to outgoing connections, so a
 * broker restarted on the port it had (an embedded broker's restart, a cluster's killed broker, and every
 * broker of a cluster sharing broker 0's port on 127.0.0.2 and up) could find it held by a connection made
 * meanwhile, even by a client's connection to itself while nobody listened. Ports below the range are only
 * ever taken by an explicit bind. Where the range is unknown or leaves no room, the kernel picks.
 */
public final class ListenerPorts {
    /** Port 0 looks at most this far below the ephemeral range. */
    public static final int WINDOW = 16_384;

    /** Taken ports passed over before the kernel is left to pick. */
    public static final int TRIES = 32;

    private static final int LOWEST = 1024;
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private static volatile int ephemeralLow = -2; // -2: not read yet; -1: unknown

    private ListenerPorts() {}

    /** Binds {@code host:port} (SO_REUSEADDR, as Kafka's acceptor); port 0 as the class says. */
    public static ServerSocketChannel bind(String host, int port, int backlog) throws IOException {
        return bind(host, port, backlog, ListenerPorts::candidate);
    }

    /** As {@link #bind(String, int, int)} with port 0's candidates from {@code candidates} (0: none left). */
    static ServerSocketChannel bind(String host, int port, int backlog, IntSupplier candidates) throws IOException {
        if (port == 0) {
            for (int i = 0; i < TRIES; i++) {
                int candidate = candidates.getAsInt();
                if (candidate == 0) break;
                try {
                    return bindExactly(host, candidate, backlog);
                } catch (BindException taken) {
                    // another listener has it: try another
                }
            }
        }
        return bindExactly(host, port, backlog);
    }

    private static ServerSocketChannel bindExactly(String host, int port, int backlog) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(host, port), backlog);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The first port of the kernel's ephemeral range, or -1 where it is unknown. */
    public static int ephemeralLow() {
        int low = ephemeralLow;
        if (low == -2) ephemeralLow = low = readEphemeralLow();
        return low;
    }

    private static int readEphemeralLow() {
        try {
            // read as lines: Files.readString trusts the size procfs reports and returns a part
            String[] words = Files.readAllLines(RANGE).get(0).trim().split("\\s+");
            return Integer.parseInt(words[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * A random port below the ephemeral range, or 0 where there is no room for one: for servers that bind
     * their own socket (ZooKeeper's), to try in place of port 0 up to {@link #TRIES} times.
     */
    public static int candidate() {
        int high = ephemeralLow();
        int low = Math.max(LOWEST, high - WINDOW);
        if (high - low < 1024) return 0;
        return ThreadLocalRandom.current().nextInt(low, high);
    }
}
