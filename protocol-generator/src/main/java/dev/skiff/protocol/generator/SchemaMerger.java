package dev.skiff.protocol.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Merges a schema from an older Kafka release (which still lists the oldest versions of an API) into the
 * same schema from a newer release. The newer definition wins for everything both know; the older one
 * contributes its versions and the fields that only old versions had.
 */
final class SchemaMerger {

    private SchemaMerger() {
    }

    static MessageSpec merge(MessageSpec old, MessageSpec cur) {
        return new MessageSpec(cur.name(), cur.type(), cur.apiKey(),
                cur.validVersions().union(old.validVersions()),
                cur.flexibleVersions(),
                cur.latestVersionUnstable(),
                mergeFields(old.fields(), cur.fields()),
                mergeFields(old.commonStructs(), cur.commonStructs()));
    }

    /**
     * Keeps the old order; a field only the new list has goes right after its predecessor in the new list
     * (or first if it has none).
     */
    static List<FieldSpec> mergeFields(List<FieldSpec> old, List<FieldSpec> cur) {
        List<FieldSpec> out = new ArrayList<>();
        for (FieldSpec o : old) {
            out.add(find(cur, o.name()).map(c -> mergeField(o, c)).orElse(o));
        }
        String previous = null;
        for (FieldSpec c : cur) {
            if (find(old, c.name()).isEmpty()) {
                out.add(previous == null ? 0 : indexOf(out, previous) + 1, c);
            }
            previous = c.name();
        }
        return out;
    }

    private static FieldSpec mergeField(FieldSpec old, FieldSpec cur) {
        Versions versions = cur.versions().widenStart(old.versions());
        Versions nullable = cur.nullableVersions().widenStart(old.nullableVersions());
        return cur.withVersions(versions, nullable).withFields(mergeFields(old.fields(), cur.fields()));
    }

    private static Optional<FieldSpec> find(List<FieldSpec> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    private static int indexOf(List<FieldSpec> fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) return i;
        }
        throw new IllegalStateException("merged field list lost " + name);
    }
}
