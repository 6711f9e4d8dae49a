package dev.strata.process;

import dev.strata.memory.MappedFile;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * The wake-up line between a chip-process proxy and its child: one connected Unix-domain socket. The
 * mailbox carries all data; a doorbell byte only wakes a side that announced (in the mailbox) that it is
 * about to block, so a busy stream of tasks never touches the socket. Blocking on it costs no CPU, wakes in
 * a few microseconds (a timed park costs about 100 µs on a small VM), and reports the other side's death at
 * once: its end of the socket closes with the process.
 *
 * <p>One thread rings and one thread waits on each end; not thread-safe otherwise.
 */
final class Doorbell implements AutoCloseable {
    /** What {@link #await} saw. */
    enum Wake {
        /** At least one ring arrived (possibly a stale one: re-check the mailbox). */
        RUNG,
        /** The timeout passed, or the waiting thread was interrupted. */
        TIMEOUT,
        /** The other end is closed: its process ended. */
        CLOSED
    }

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer ring = ByteBuffer.allocateDirect(1);
    private final ByteBuffer drain = ByteBuffer.allocateDirect(64);

    private Doorbell(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** The parent's side before the child connects: a listening socket at a path. */
    static final class Listener implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Selector selector;
        private final Path path;

        private Listener(ServerSocketChannel server, Selector selector, Path path) {
            this.server = server;
            this.selector = selector;
            this.path = path;
        }

        /** The socket file the child connects to. */
        Path path() {
            return path;
        }

        /**
         * Waits up to {@code timeoutNanos} for the child to connect; returns null on timeout. The socket file
         * is removed either way by {@link #close()}.
         */
        Doorbell accept(long timeoutNanos) throws IOException {
            long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
            if (selector.select(millis) == 0) {
                return null;
            }
            selector.selectedKeys().clear();
            SocketChannel c = server.accept();
            return c == null ? null : new Doorbell(c);
        }

        /** Stops listening and deletes the socket file; a connection already accepted stays up. */
        @Override
        public void close() {
            try {
                selector.close();
                server.close();
            } catch (IOException ignored) {
                // Nothing is lost: the socket file is deleted below either way.
            }
            MappedFile.deleteQuietly(path);
        }
    }

    /** Listens on a new socket file at {@code path} (at most about 100 bytes long: a Unix socket limit). */
    static Listener listen(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                // Connecting needs write permission on the socket file: only this user's processes may.
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            }
            server.configureBlocking(false);
            Selector selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            return new Listener(server, selector, path);
        } catch (IOException | RuntimeException e) {
            server.close();
            MappedFile.deleteQuietly(path);
            throw e;
        }
    }

    /** The child's side: connects to the parent's listener. */
    static Doorbell connect(Path path) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            c.connect(UnixDomainSocketAddress.of(path));
            return new Doorbell(c);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Wakes the other side; a ring to a side that has ended is silently dropped (its waiter sees CLOSED). */
    void ring() {
        ring.clear();
        ring.put((byte) 1).flip();
        try {
            channel.write(ring);
        } catch (IOException ended) {
            // The other process is gone; whoever waits on it learns that from its own end.
        }
    }

    /**
     * Blocks until a ring arrives, the other side closes, or {@code timeoutNanos} passes (0 = no timeout);
     * consumes every ring that is already there.
     */
    Wake await(long timeoutNanos) throws IOException {
        long millis = timeoutNanos == 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        selector.select(millis);
        selector.selectedKeys().clear();
        drain.clear();
        int n = channel.read(drain);
        if (n < 0) {
            return Wake.CLOSED;
        }
        return n > 0 ? Wake.RUNG : Wake.TIMEOUT;
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // Closing the channel below releases the connection regardless.
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // As above.
        }
    }
}
