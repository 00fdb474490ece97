package dev.skiff.protocol.generator;

/** Collects Java source lines with indentation that follows the braces. */
final class CodeBuffer {

    private final StringBuilder sb = new StringBuilder();
    private int indent;

    /** Appends one line; a line starting with '}' closes a level, one ending with '{' opens one. */
    CodeBuffer line(String text) {
        if (text.startsWith("}")) indent--;
        if (!text.isEmpty()) sb.append("    ".repeat(Math.max(indent, 0))).append(text);
        sb.append('\n');
        if (text.endsWith("{")) indent++;
        return this;
    }

    CodeBuffer line(String format, Object... args) {
        return line(String.format(format, args));
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
