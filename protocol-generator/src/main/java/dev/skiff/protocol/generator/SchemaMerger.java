package dev.skiff.protocol.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Merges a schema from an older Kafka release (which still lists the oldest versions of an API) into the
 * same schema from a newer release. The newer definition wins for everything both know; the older one
 * contributes its versions and the fields that only old versions had.
 * <p>
 * Each release is the authority for its own versions: below the newer release's lowest version (the
 * "boundary") the older schema decides, from it on the newer one. So a field only the older schema names
 * keeps only its versions below the boundary, and one only the newer schema names only those from it on.
 * This keeps renamed fields (VoteRequest's CandidateEpoch became ReplicaEpoch) from appearing twice.
 */
final class SchemaMerger {

    private SchemaMerger() {}

    static MessageSpec merge(MessageSpec old, MessageSpec cur) {
        return new MessageSpec(
                cur.name(),
                cur.type(),
                cur.apiKey(),
                cur.validVersions().union(old.validVersions()),
                cur.flexibleVersions(),
                cur.latestVersionUnstable(),
                mergeFields(old.fields(), cur.fields(), cur.validVersions().lowest()),
                mergeStructs(
                        old.commonStructs(),
                        cur.commonStructs(),
                        cur.validVersions().lowest()));
    }

    /**
     * Keeps the old order; a field only the new list has goes right after its predecessor in the new list
     * (or first if it has none).
     */
    static List<FieldSpec> mergeFields(List<FieldSpec> old, List<FieldSpec> cur, short boundary) {
        Versions oldOnly = new Versions((short) 0, (short) (boundary - 1));
        Versions newOnly = new Versions(boundary, Versions.OPEN);
        List<FieldSpec> out = new ArrayList<>();
        for (FieldSpec o : old) {
            Optional<FieldSpec> c = find(cur, o.name());
            if (c.isPresent()) {
                out.add(mergeField(o, c.get(), boundary));
            } else if (!o.versions().intersect(oldOnly).isEmpty()) {
                out.add(o.withVersions(o.versions().intersect(oldOnly), o.nullableVersions()));
            }
        }
        String previous = null;
        for (FieldSpec c : cur) {
            if (find(old, c.name()).isEmpty()
                    && !c.versions().intersect(newOnly).isEmpty()) {
                out.add(
                        previous == null ? 0 : indexOf(out, previous) + 1,
                        c.withVersions(c.versions().intersect(newOnly), c.nullableVersions()));
            }
            if (find(out, c.name()).isPresent()) previous = c.name();
        }
        return out;
    }

    /** Common structs: all of both, the fields of those both define merged. */
    private static List<FieldSpec> mergeStructs(List<FieldSpec> old, List<FieldSpec> cur, short boundary) {
        List<FieldSpec> out = new ArrayList<>(cur);
        for (FieldSpec o : old) {
            Optional<FieldSpec> c = find(cur, o.name());
            if (c.isPresent()) {
                out.set(
                        out.indexOf(c.get()),
                        c.get().withFields(mergeFields(o.fields(), c.get().fields(), boundary)));
            } else {
                out.add(o);
            }
        }
        return out;
    }

    private static FieldSpec mergeField(FieldSpec old, FieldSpec cur, short boundary) {
        Versions versions = cur.versions().widenStart(old.versions());
        Versions nullable = cur.nullableVersions().widenStart(old.nullableVersions());
        return cur.withVersions(versions, nullable).withFields(mergeFields(old.fields(), cur.fields(), boundary));
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
