package dev.skiff.server.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;

/**
 * What drives the broker's sockets. {@link #EPOLL}, Netty's native transport, where its library loads (Linux on
 * x86-64): it reads, writes and sends files with direct system calls on edge-triggered readiness, without the
 * JDK selector's key sets, locks and wake-up pipe, which on a produce-heavy I/O thread is a measurable share of
 * the CPU per record. {@link #NIO} everywhere else, and where {@code skiff.transport=nio} asks for it.
 *
 * <p>Listeners are bound on the caller's thread (see {@link ListenerPorts}), so a server's start returns with
 * its port listening without waiting for an event loop to pick the channel up.
 */
public enum Transport {
    NIO {
        @Override
        IoHandlerFactory handlers() {
            return NioIoHandler.newFactory();
        }

        @Override
        public ServerChannel listen(String host, int port, int backlog) throws IOException {
            return new NioServerSocketChannel(ListenerPorts.bind(host, port, backlog));
        }
    },
    EPOLL {
        @Override
        IoHandlerFactory handlers() {
            return EpollIoHandler.newFactory();
        }

        @Override
        public ServerChannel listen(String host, int port, int backlog) throws IOException {
            return ListenerPorts.listen(port, p -> new EpollServerSocketChannel(bindNative(host, p, backlog)));
        }
    };

    /** The system property that picks a transport: {@code auto} (the default), {@code epoll} or {@code nio}. */
    public static final String PROPERTY = "skiff.transport";

    private static volatile Transport chosen;

    /** Linux's errno for a taken address; Netty's native bind reports it negated. */
    private static final int EADDRINUSE = 98;

    abstract IoHandlerFactory handlers();

    /** A listening channel bound to {@code host:port} (SO_REUSEADDR; port 0 as {@link ListenerPorts} picks it). */
    public abstract ServerChannel listen(String host, int port, int backlog) throws IOException;

    /**
     * Closes a listener from {@link #listen}, also one that no event loop took (Netty 4.2's {@code close()}
     * needs an event loop for its promise).
     */
    public static void close(ServerChannel listener) {
        if (listener.isRegistered()) listener.close();
        else listener.unsafe().closeForcibly();
    }

    /** Event loops of this transport: {@code threads} of them, 0 for Netty's default (twice the cores). */
    public EventLoopGroup loops(int threads, ThreadFactory threadFactory) {
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, handlers());
    }

    /** The transport of this JVM, from {@value #PROPERTY}; decided once. */
    public static Transport chosen() {
        Transport t = chosen;
        if (t == null) chosen = t = choose(System.getProperty(PROPERTY, "auto"));
        return t;
    }

    static Transport choose(String setting) {
        switch (setting.trim().toLowerCase(Locale.ROOT)) {
            case "nio":
                return NIO;
            case "epoll":
                Epoll.ensureAvailability(); // asked for by name: say why it cannot be had
                return EPOLL;
            case "auto":
            case "":
                return Epoll.isAvailable() ? EPOLL : NIO;
            default:
                throw new IllegalArgumentException(PROPERTY + " must be auto, epoll or nio, not '" + setting + "'");
        }
    }

    private static int bindNative(String host, int port, int backlog) throws IOException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        Socket socket = Socket.newSocketStream();
        try {
            socket.setReuseAddress(true);
            socket.bind(address);
            socket.listen(backlog);
            return socket.intValue();
        } catch (Errors.NativeIoException e) {
            socket.close();
            if (e.expectedErr() == -EADDRINUSE) throw new BindException(e.getMessage());
            throw e;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
