package dev.skiff.broker.security.acl;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of ACL changes, {@code <log.dirs>/.skiff/acls}: each change (an ACL added or removed) is a
 * frame {@code int length, int crc32c, body} appended and forced before the change is applied, and the ACLs at
 * start are what replaying the frames gives. A torn or damaged tail (a crash mid-write) ends the replay and is
 * cut off; a journal mostly made of removals is rewritten with the live ACLs only.
 */
final class AclJournal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AclJournal.class);
    static final byte ADD = 1;
    static final byte REMOVE = 2;
    /** No frame is larger: a length past it is damage, not an entry. */
    private static final int MAX_FRAME = 1 << 20;

    /** One replayed change. */
    record Change(byte kind, AclBinding binding) {}

    private final Path file;
    private FileChannel channel;
    private long frames;

    private AclJournal(Path file) {
        this.file = file;
    }

    /** Opens (creating) the journal and returns it with the changes it holds, in order. */
    static AclJournal open(Path file, List<Change> replayed) {
        AclJournal j = new AclJournal(file);
        try {
            Files.createDirectories(file.getParent());
            j.channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long good = j.replay(replayed);
            if (good < j.channel.size()) {
                log.warn("ACL journal {}: cutting a damaged tail at byte {} of {}", file, good, j.channel.size());
                j.channel.truncate(good);
                j.channel.force(true);
            }
            j.channel.position(good);
            return j;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the ACL journal " + file, e);
        }
    }

    private long replay(List<Change> out) throws IOException {
        long size = channel.size();
        long pos = 0;
        ByteBuffer head = ByteBuffer.allocate(8);
        while (pos + 8 <= size) {
            head.clear();
            if (channel.read(head, pos) < 8) break;
            int len = head.getInt(0);
            int crc = head.getInt(4);
            if (len <= 0 || len > MAX_FRAME || pos + 8 + len > size) break;
            ByteBuffer body = ByteBuffer.allocate(len);
            while (body.hasRemaining()) if (channel.read(body, pos + 8 + body.position()) < 0) break;
            if (body.hasRemaining()) break;
            CRC32C c = new CRC32C();
            c.update(body.array(), 0, len);
            if ((int) c.getValue() != crc) break;
            body.flip();
            try {
                out.add(decode(body));
            } catch (RuntimeException e) {
                break;
            }
            pos += 8 + len;
            frames++;
        }
        return pos;
    }

    /** Appends the changes and forces them to disk; they are applied only after this returns. */
    synchronized void append(byte kind, Collection<AclBinding> bindings) {
        if (bindings.isEmpty()) return;
        try {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (AclBinding b : bindings) {
                byte[] body = encode(kind, b);
                CRC32C c = new CRC32C();
                c.update(body);
                ByteBuffer head = ByteBuffer.allocate(8).putInt(body.length).putInt((int) c.getValue());
                all.write(head.array());
                all.write(body);
            }
            ByteBuffer buf = ByteBuffer.wrap(all.toByteArray());
            long start = channel.position();
            try {
                while (buf.hasRemaining()) channel.write(buf);
                channel.force(false);
            } catch (IOException e) {
                // leave no half-written frame behind the next append
                channel.truncate(start);
                channel.position(start);
                throw e;
            }
            frames += bindings.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ACL journal " + file, e);
        }
    }

    /** Rewrites the journal as one ADD per live ACL when removals make up most of it. */
    synchronized void compactIfWasteful(Collection<AclBinding> live) {
        if (frames < 1024 || frames < 2L * live.size()) return;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (AclBinding b : live) {
                byte[] body = encode(ADD, b);
                CRC32C c = new CRC32C();
                c.update(body);
                ByteBuffer buf = ByteBuffer.allocate(8 + body.length)
                        .putInt(body.length)
                        .putInt((int) c.getValue())
                        .put(body)
                        .flip();
                while (buf.hasRemaining()) out.write(buf);
            }
            out.force(true);
        } catch (IOException e) {
            log.warn("ACL journal {}: compaction failed, keeping it as it is: {}", file, e.toString());
            return;
        }
        try {
            channel.close();
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel.position(channel.size());
            frames = live.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reopen the ACL journal " + file, e);
        }
    }

    static byte[] encode(byte kind, AclBinding b) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(kind);
            out.writeByte(b.type().code);
            out.writeByte(b.pattern().code);
            out.writeByte(b.operation().code);
            out.writeByte(b.permission().code);
            writeString(out, b.name());
            writeString(out, b.principal());
            writeString(out, b.host());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static Change decode(ByteBuffer in) {
        byte kind = in.get();
        if (kind != ADD && kind != REMOVE) throw new IllegalStateException("unknown change " + kind);
        ResourceType type = ResourceType.of(in.get());
        PatternType pattern = PatternType.of(in.get());
        AclOperation op = AclOperation.of(in.get());
        AclPermissionType perm = AclPermissionType.of(in.get());
        String name = readString(in);
        String principal = readString(in);
        String host = readString(in);
        if (!type.concrete() || !pattern.concrete() || !op.concrete() || !perm.concrete())
            throw new IllegalStateException("bad enum in ACL entry");
        return new Change(kind, new AclBinding(type, name, pattern, principal, host, op, perm));
    }

    private static String readString(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) throw new IllegalStateException("bad string length " + n);
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    static List<Change> none() {
        return new ArrayList<>();
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing the ACL journal: {}", e.toString());
        }
    }
}
