package dev.skiff.protocol.generator;

import java.util.Set;

/** The "type" of a field: a primitive, a struct name, or an array ("[]x") of either. */
record FieldType(String name, boolean array) {

    private static final Set<String> PRIMITIVES = Set.of(
            "bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64", "string", "bytes", "uuid",
            "records");

    static FieldType parse(String type) {
        return type.startsWith("[]") ? new FieldType(type.substring(2), true) : new FieldType(type, false);
    }

    FieldType element() {
        return new FieldType(name, false);
    }

    boolean isStruct() {
        return !PRIMITIVES.contains(name);
    }

    /** Java type of one value (not of the array). */
    String javaType(boolean boxed) {
        return switch (name) {
            case "bool" -> boxed ? "Boolean" : "boolean";
            case "int8" -> boxed ? "Byte" : "byte";
            case "int16" -> boxed ? "Short" : "short";
            case "uint16", "int32" -> boxed ? "Integer" : "int";
            case "uint32", "int64" -> boxed ? "Long" : "long";
            case "float64" -> boxed ? "Double" : "double";
            case "string" -> "String";
            case "bytes" -> "byte[]";
            case "uuid" -> "dev.skiff.protocol.types.Uuid";
            case "records" -> "dev.skiff.protocol.types.RecordsData";
            default -> name;
        };
    }

    String fieldJavaType() {
        return array ? "java.util.List<" + javaType(true) + ">" : javaType(false);
    }

    /** Whether values of this type can be null at all (null markers on the wire). */
    boolean isReference() {
        return array
                || isStruct()
                || switch (name) {
                    case "string", "bytes", "records", "uuid" -> true;
                    default -> false;
                };
    }
}
