package dev.skiff.protocol.generator;

/** A closed range of versions as written in the schemas: "none", "3", "0-2" or "9+" (open-ended). */
record Versions(short lowest, short highest) {

    static final Versions NONE = new Versions((short) 0, (short) -1);
    static final short OPEN = Short.MAX_VALUE;

    static Versions parse(String text) {
        if (text == null || text.isBlank() || text.trim().equals("none")) {
            return NONE;
        }
        String t = text.trim();
        if (t.endsWith("+")) {
            return new Versions(Short.parseShort(t.substring(0, t.length() - 1)), OPEN);
        }
        int dash = t.indexOf('-');
        if (dash > 0) {
            return new Versions(Short.parseShort(t.substring(0, dash)), Short.parseShort(t.substring(dash + 1)));
        }
        short v = Short.parseShort(t);
        return new Versions(v, v);
    }

    boolean isEmpty() {
        return lowest > highest;
    }

    /** The smallest range covering both. */
    Versions union(Versions other) {
        if (isEmpty()) return other;
        if (other.isEmpty()) return this;
        return new Versions((short) Math.min(lowest, other.lowest), (short) Math.max(highest, other.highest));
    }

    /** The versions in both ranges. */
    Versions intersect(Versions other) {
        short lo = (short) Math.max(lowest, other.lowest);
        short hi = (short) Math.min(highest, other.highest);
        return lo > hi ? NONE : new Versions(lo, hi);
    }

    /** This range with its start moved down to {@code other}'s start when that is earlier. */
    Versions widenStart(Versions other) {
        if (isEmpty() || other.isEmpty() || other.lowest >= lowest) return this;
        return new Versions(other.lowest, highest);
    }

    /** A Java boolean expression testing whether {@code var} lies in this range. */
    String test(String var) {
        if (isEmpty()) return "false";
        if (lowest <= 0 && highest == OPEN) return "true";
        if (highest == OPEN) return var + " >= " + lowest;
        if (lowest <= 0) return var + " <= " + highest;
        if (lowest == highest) return var + " == " + lowest;
        return "(" + var + " >= " + lowest + " && " + var + " <= " + highest + ")";
    }

    @Override
    public String toString() {
        if (isEmpty()) return "none";
        return highest == OPEN ? lowest + "+" : lowest + "-" + highest;
    }
}
