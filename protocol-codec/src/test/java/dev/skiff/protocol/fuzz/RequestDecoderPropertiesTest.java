package dev.skiff.protocol.fuzz;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.ProtocolException;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.RequestParser;
import dev.skiff.protocol.message.RequestHeaderData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the request decoder, checked by jqwik on generated frames (and shrunk to a small frame when
 * one fails): whatever the bytes, decoding either succeeds or raises a ProtocolException, never anything else.
 * Frames are a valid header of a real API and version followed by arbitrary bytes, or a valid default request
 * with some of its bytes overwritten.
 */
class RequestDecoderPropertiesTest {

    private static final List<ApiKeys> APIS = List.of(ApiKeys.values());

    @Property(tries = 3000)
    void arbitraryBodiesOnlyFailWithProtocolErrors(
            @ForAll("apiAndVersion") Tuple.Tuple2<ApiKeys, Short> target, @ForAll @Size(max = 512) byte[] body) {
        ByteBuf frame = Unpooled.wrappedBuffer(header(target.get1(), target.get2()), Unpooled.wrappedBuffer(body));
        decode(frame);
    }

    @Property(tries = 3000)
    void mutatedValidRequestsOnlyFailWithProtocolErrors(
            @ForAll("apiAndVersion") Tuple.Tuple2<ApiKeys, Short> target,
            @ForAll @Size(min = 1, max = 8)
                    List<@net.jqwik.api.constraints.IntRange(min = 0, max = 4095) Integer> positions,
            @ForAll byte value) {
        byte[] valid = validRequest(target.get1(), target.get2());
        for (int p : positions) {
            int at = 8 + p % Math.max(1, valid.length - 8); // keep api key, version and correlation id
            if (at < valid.length) valid[at] = value;
        }
        decode(Unpooled.wrappedBuffer(valid));
    }

    @Provide
    Arbitrary<Tuple.Tuple2<ApiKeys, Short>> apiAndVersion() {
        return Arbitraries.of(APIS)
                .flatMap(api -> Combinators.combine(
                                Arbitraries.just(api),
                                Arbitraries.shorts().between(api.lowestVersion(), api.highestVersion()))
                        .as(Tuple::of));
    }

    private static void decode(ByteBuf frame) {
        try {
            RequestParser.parse(frame);
        } catch (ProtocolException expected) {
            // the one allowed failure
        } finally {
            frame.release();
        }
    }

    private static ByteBuf header(ApiKeys api, short version) {
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(api.id())
                .setRequestApiVersion(version)
                .setCorrelationId(1)
                .setClientId("fuzz")
                .write(w, api.requestHeaderVersion(version));
        return Unpooled.wrappedBuffer(w.toByteArray());
    }

    private static byte[] validRequest(ApiKeys api, short version) {
        ProtocolWriter w = new ProtocolWriter();
        new RequestHeaderData()
                .setRequestApiKey(api.id())
                .setRequestApiVersion(version)
                .setCorrelationId(1)
                .setClientId("fuzz")
                .write(w, api.requestHeaderVersion(version));
        ApiMessage body = api.newRequest();
        try {
            body.write(w, version);
        } catch (ProtocolException e) {
            // a default that a version cannot carry (a required non-null field): the header alone will do
        }
        return w.toByteArray();
    }
}
