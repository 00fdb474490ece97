package dev.skiff.protocol.generator;

import java.util.List;

/** A whole schema file: a request, a response, a header or a data message. */
record MessageSpec(
        String name,
        String type,
        Short apiKey,
        Versions validVersions,
        Versions flexibleVersions,
        boolean latestVersionUnstable,
        List<FieldSpec> fields,
        List<FieldSpec> commonStructs) {

    String className() {
        return name + "Data";
    }

    /** Highest version that is not marked unstable (-1 if the only version is unstable). */
    short highestStableVersion() {
        return latestVersionUnstable ? (short) (validVersions.highest() - 1) : validVersions.highest();
    }
}
