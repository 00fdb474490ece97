package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.CreateAclsRequestData;
import dev.skiff.protocol.message.CreateAclsRequestData.AclCreation;
import dev.skiff.protocol.message.CreateAclsResponseData;
import dev.skiff.protocol.message.DeleteAclsRequestData;
import dev.skiff.protocol.message.DeleteAclsResponseData;
import dev.skiff.protocol.message.DescribeAclsRequestData;
import dev.skiff.protocol.message.DescribeAclsResponseData;
import dev.skiff.server.EmbeddedSkiff;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CreateAcls, DescribeAcls and DeleteAcls from a client that sends what no tool would: huge names, thousands
 * of entries past the cap, unknown enums and filters, a filter matching everything. Each bad entry has its own
 * error, the caps hold, other clients are served, and the ACLs kept survive a restart.
 */
@Timeout(120)
class AclHostileTest {

    private static final short V = 3; // flexible

    private static ByteBuf call(Socket s, ApiKeys api, ApiMessage body) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(RequestFrames.frame(api, V, 7, body));
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] answer = new byte[in.readInt()];
        in.readFully(answer);
        ByteBuf buf = Unpooled.wrappedBuffer(answer);
        assertEquals(7, buf.readInt(), "correlation id");
        buf.readByte(); // response header v1: no tagged fields
        return buf;
    }

    private static AclCreation creation(byte type, String name, byte pattern, byte op, byte perm) {
        return new AclCreation()
                .setResourceType(type)
                .setResourceName(name)
                .setResourcePatternType(pattern)
                .setPrincipal("User:h")
                .setHost("*")
                .setOperation(op)
                .setPermissionType(perm);
    }

    private static int described(Socket s) throws IOException {
        DescribeAclsResponseData r = new DescribeAclsResponseData(
                call(
                        s,
                        ApiKeys.DESCRIBE_ACLS,
                        new DescribeAclsRequestData()
                                .setResourceTypeFilter((byte) 1)
                                .setResourceNameFilter(null)
                                .setPrincipalFilter(null)
                                .setHostFilter(null)
                                .setPatternTypeFilter((byte) 1)
                                .setOperation((byte) 1)
                                .setPermissionType((byte) 1)),
                V);
        assertEquals(Errors.NONE.code(), r.errorCode());
        return r.resources().stream().mapToInt(x -> x.acls().size()).sum();
    }

    @Test
    void badEntriesAreRefusedOneByOneAndTheCapsHold() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .authorizer()
                // the survival clients are anonymous: let them use what no ACL names
                .property("allow.everyone.if.no.acl.found", "true")
                .property("skiff.acls.max", "500")
                .start()) {
            Survival survival = Survival.before(broker);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port())) {
                s.setSoTimeout(60_000);
                // huge names: each over skiff.acl.max.bytes
                List<AclCreation> huge = new ArrayList<>();
                for (int i = 0; i < 50; i++)
                    huge.add(creation((byte) 2, "h".repeat(20_000) + i, (byte) 3, (byte) 3, (byte) 3));
                CreateAclsResponseData r = new CreateAclsResponseData(
                        call(s, ApiKeys.CREATE_ACLS, new CreateAclsRequestData().setCreations(huge)), V);
                assertEquals(50, r.results().size());
                r.results().forEach(x -> assertEquals(Errors.INVALID_REQUEST.code(), x.errorCode()));
                // unknown enums, an empty name, a principal without a type
                List<AclCreation> bad = List.of(
                        creation((byte) 99, "h-a", (byte) 3, (byte) 3, (byte) 3),
                        creation((byte) 2, "h-a", (byte) 3, (byte) 3, (byte) 77),
                        creation((byte) 2, "", (byte) 3, (byte) 3, (byte) 3),
                        creation((byte) 2, "h-a", (byte) 3, (byte) 3, (byte) 3).setPrincipal("nobody"));
                r = new CreateAclsResponseData(
                        call(s, ApiKeys.CREATE_ACLS, new CreateAclsRequestData().setCreations(bad)), V);
                assertEquals(bad.size(), r.results().size());
                r.results().forEach(x -> assertEquals(Errors.INVALID_REQUEST.code(), x.errorCode()));
                // filter-only enums (ANY, MATCH) fail the whole request, as in Kafka
                List<AclCreation> filterOnly = List.of(
                        creation((byte) 2, "h-a", (byte) 3, (byte) 3, (byte) 3),
                        creation((byte) 1, "h-a", (byte) 3, (byte) 3, (byte) 3),
                        creation((byte) 2, "h-a", (byte) 2, (byte) 3, (byte) 3),
                        creation((byte) 2, "h-a", (byte) 3, (byte) 1, (byte) 3));
                r = new CreateAclsResponseData(
                        call(s, ApiKeys.CREATE_ACLS, new CreateAclsRequestData().setCreations(filterOnly)), V);
                assertEquals(filterOnly.size(), r.results().size());
                r.results().forEach(x -> assertEquals(Errors.UNKNOWN_SERVER_ERROR.code(), x.errorCode()));
                // many: 600 valid ones against a cap of 500
                List<AclCreation> many = new ArrayList<>();
                for (int i = 0; i < 600; i++) many.add(creation((byte) 2, "h-" + i, (byte) 3, (byte) 3, (byte) 3));
                r = new CreateAclsResponseData(
                        call(s, ApiKeys.CREATE_ACLS, new CreateAclsRequestData().setCreations(many)), V);
                long refused = r.results().stream()
                        .filter(x -> x.errorCode() == Errors.POLICY_VIOLATION.code())
                        .count();
                assertEquals(100, refused);
                assertEquals(500, described(s));
                // an unusable filter is answered INVALID_REQUEST; a MATCH filter deletes what applies to h-1
                DeleteAclsRequestData del = new DeleteAclsRequestData()
                        .setFilters(List.of(
                                new DeleteAclsRequestData.DeleteAclsFilter()
                                        .setResourceTypeFilter((byte) 0)
                                        .setPatternTypeFilter((byte) 0)
                                        .setOperation((byte) 0)
                                        .setPermissionType((byte) 0),
                                new DeleteAclsRequestData.DeleteAclsFilter()
                                        .setResourceTypeFilter((byte) 2)
                                        .setResourceNameFilter("h-1")
                                        .setPrincipalFilter(null)
                                        .setHostFilter(null)
                                        .setPatternTypeFilter((byte) 2) // MATCH
                                        .setOperation((byte) 1)
                                        .setPermissionType((byte) 1)));
                DeleteAclsResponseData d = new DeleteAclsResponseData(call(s, ApiKeys.DELETE_ACLS, del), V);
                assertEquals(
                        Errors.INVALID_REQUEST.code(), d.filterResults().get(0).errorCode());
                assertEquals(1, d.filterResults().get(1).matchingAcls().size());
                assertEquals(499, described(s));
            }
            survival.assertServedAndRestartsIntact();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port())) {
                s.setSoTimeout(60_000);
                assertEquals(499, described(s), "the ACLs survive the restart");
            }
            assertTrue(
                    broker.dataDir().resolve(".skiff").resolve("acls").toFile().isFile());
        }
    }
}
