package dev.skiff.broker.telemetry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the metric points out of an OpenTelemetry {@code MetricsData} message (protobuf), the payload of
 * PushTelemetry: each gauge or sum point becomes a name, its attributes and its value; histograms and summaries
 * are named without a value. Only the fields used are read, everything else is skipped by its wire type; every
 * length is checked against the bytes left, so a hostile payload ends in {@link MalformedMetricsException}, never
 * in an exception of the JDK or a large allocation. At most {@code maxPoints} points are kept.
 */
public final class OtlpMetrics {

    /** One value of one metric, as the client pushed it. */
    public record Point(String name, Map<String, String> attributes, Double value) {}

    /** The payload is not a MetricsData message. */
    public static final class MalformedMetricsException extends RuntimeException {
        MalformedMetricsException(String message) {
            super(message);
        }
    }

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH = 2;
    private static final int FIXED32 = 5;

    private final byte[] data;
    private final int maxPoints;
    private final List<Point> points = new ArrayList<>();
    private Map<String, String> resource = Map.of();

    private OtlpMetrics(byte[] data, int maxPoints) {
        this.data = data;
        this.maxPoints = maxPoints;
    }

    /** The points of a MetricsData message; the resource's attributes are in {@link #resource(byte[])}. */
    public static List<Point> points(byte[] metricsData, int maxPoints) {
        OtlpMetrics m = new OtlpMetrics(metricsData, maxPoints);
        m.metricsData();
        return Collections.unmodifiableList(m.points);
    }

    /** The attributes of the first resource (client id, client software name and version, ...). */
    public static Map<String, String> resource(byte[] metricsData) {
        OtlpMetrics m = new OtlpMetrics(metricsData, 0);
        m.metricsData();
        return m.resource;
    }

    // MetricsData { repeated ResourceMetrics resource_metrics = 1; }
    private void metricsData() {
        Reader r = new Reader(0, data.length);
        while (r.more()) {
            int tag = r.tag();
            if (field(tag) == 1 && wire(tag) == LENGTH) resourceMetrics(r.message());
            else r.skip(tag);
        }
    }

    // ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
    private void resourceMetrics(Reader r) {
        while (r.more()) {
            int tag = r.tag();
            if (field(tag) == 1 && wire(tag) == LENGTH) {
                Map<String, String> attributes = attributesOf(r.message(), 1);
                if (resource.isEmpty()) resource = attributes;
            } else if (field(tag) == 2 && wire(tag) == LENGTH) scopeMetrics(r.message());
            else r.skip(tag);
        }
    }

    // ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
    private void scopeMetrics(Reader r) {
        while (r.more()) {
            int tag = r.tag();
            if (field(tag) == 2 && wire(tag) == LENGTH) metric(r.message());
            else r.skip(tag);
        }
    }

    // Metric { string name = 1; Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; ... }
    // Gauge and Sum { repeated NumberDataPoint data_points = 1; }
    private void metric(Reader r) {
        String name = "";
        List<Reader> numberPoints = new ArrayList<>();
        boolean other = false;
        while (r.more()) {
            int tag = r.tag();
            int f = field(tag);
            if (f == 1 && wire(tag) == LENGTH) name = r.string();
            else if ((f == 5 || f == 7) && wire(tag) == LENGTH) {
                Reader values = r.message();
                while (values.more()) {
                    int t = values.tag();
                    if (field(t) == 1 && wire(t) == LENGTH) {
                        Reader point = values.message();
                        if (points.size() + numberPoints.size() < maxPoints) numberPoints.add(point);
                    } else values.skip(t);
                }
            } else if ((f == 9 || f == 10 || f == 11) && wire(tag) == LENGTH) {
                r.message();
                other = true;
            } else r.skip(tag);
        }
        for (Reader p : numberPoints) numberPoint(name, p);
        if (other || numberPoints.isEmpty()) add(new Point(name, Map.of(), null));
    }

    // NumberDataPoint { double as_double = 4; sfixed64 as_int = 6; repeated KeyValue attributes = 7; }
    private void numberPoint(String name, Reader r) {
        Double value = null;
        Map<String, String> attributes = new LinkedHashMap<>();
        while (r.more()) {
            int tag = r.tag();
            int f = field(tag);
            if (f == 4 && wire(tag) == FIXED64) value = Double.longBitsToDouble(r.fixed64());
            else if (f == 6 && wire(tag) == FIXED64) value = (double) r.fixed64();
            else if (f == 7 && wire(tag) == LENGTH) keyValue(r.message(), attributes);
            else r.skip(tag);
        }
        add(new Point(name, Collections.unmodifiableMap(attributes), value));
    }

    private void add(Point p) {
        if (points.size() < maxPoints) points.add(p);
    }

    // Resource { repeated KeyValue attributes = 1; }
    private Map<String, String> attributesOf(Reader r, int field) {
        Map<String, String> out = new LinkedHashMap<>();
        while (r.more()) {
            int tag = r.tag();
            if (field(tag) == field && wire(tag) == LENGTH) keyValue(r.message(), out);
            else r.skip(tag);
        }
        return Collections.unmodifiableMap(out);
    }

    // KeyValue { string key = 1; AnyValue value = 2; }
    // AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ... }
    private void keyValue(Reader r, Map<String, String> into) {
        String key = "";
        String value = "";
        while (r.more()) {
            int tag = r.tag();
            if (field(tag) == 1 && wire(tag) == LENGTH) key = r.string();
            else if (field(tag) == 2 && wire(tag) == LENGTH) {
                Reader any = r.message();
                while (any.more()) {
                    int t = any.tag();
                    int f = field(t);
                    if (f == 1 && wire(t) == LENGTH) value = any.string();
                    else if (f == 2 && wire(t) == VARINT) value = String.valueOf(any.varint() != 0);
                    else if (f == 3 && wire(t) == VARINT) value = String.valueOf(any.varint());
                    else if (f == 4 && wire(t) == FIXED64)
                        value = String.valueOf(Double.longBitsToDouble(any.fixed64()));
                    else any.skip(t);
                }
            } else r.skip(tag);
        }
        // a bounded number of attributes per point: protobuf repeats cost the sender nothing
        if (into.size() < 64) into.put(key, value);
    }

    private static int field(int tag) {
        return tag >>> 3;
    }

    private static int wire(int tag) {
        return tag & 7;
    }

    /** A cursor over {@code data[pos, end)}. */
    private final class Reader {
        private int pos;
        private final int end;

        Reader(int pos, int end) {
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            long t = varint();
            if (t <= 0 || t > Integer.MAX_VALUE) throw new MalformedMetricsException("bad field tag " + t);
            return (int) t;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) throw new MalformedMetricsException("truncated varint");
                byte b = data[pos++];
                result |= (long) (b & 0x7F) << shift;
                if (b >= 0) return result;
            }
            throw new MalformedMetricsException("varint longer than 10 bytes");
        }

        long fixed64() {
            need(8);
            long v = 0;
            for (int i = 7; i >= 0; i--) v = (v << 8) | (data[pos + i] & 0xFFL);
            pos += 8;
            return v;
        }

        Reader message() {
            int length = length();
            Reader inner = new Reader(pos, pos + length);
            pos += length;
            return inner;
        }

        String string() {
            int length = length();
            String s = new String(data, pos, length, StandardCharsets.UTF_8);
            pos += length;
            return s;
        }

        void skip(int tag) {
            switch (wire(tag)) {
                case VARINT -> varint();
                case FIXED64 -> {
                    need(8);
                    pos += 8;
                }
                case LENGTH -> pos += length();
                case FIXED32 -> {
                    need(4);
                    pos += 4;
                }
                default -> throw new MalformedMetricsException("unsupported wire type " + wire(tag));
            }
        }

        private int length() {
            long n = varint();
            if (n < 0 || n > end - pos) throw new MalformedMetricsException("length " + n + " past the end");
            return (int) n;
        }

        private void need(int n) {
            if (end - pos < n) throw new MalformedMetricsException("truncated field");
        }
    }
}
