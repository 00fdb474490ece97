package dev.skiff.protocol.generator;

import java.util.List;

/**
 * One field of a schema. {@code fields} is non-empty when the field defines a struct inline;
 * {@code flexibleVersions} is a per-field override (RequestHeader's ClientId is never compact), else null.
 */
record FieldSpec(
        String name,
        String type,
        Versions versions,
        Versions nullableVersions,
        Versions taggedVersions,
        Integer tag,
        String defaultValue,
        boolean ignorable,
        Versions flexibleVersions,
        String about,
        List<FieldSpec> fields) {

    FieldType fieldType() {
        return FieldType.parse(type);
    }

    FieldSpec withFields(List<FieldSpec> newFields) {
        return new FieldSpec(
                name,
                type,
                versions,
                nullableVersions,
                taggedVersions,
                tag,
                defaultValue,
                ignorable,
                flexibleVersions,
                about,
                newFields);
    }

    FieldSpec withVersions(Versions v, Versions nullable) {
        return new FieldSpec(
                name, type, v, nullable, taggedVersions, tag, defaultValue, ignorable, flexibleVersions, about, fields);
    }
}
