package dev.skiff.protocol.generator;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads one of Kafka's JSON message schemas (which contain // comments) into the schema model. */
final class SchemaReader {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();

    private SchemaReader() {}

    static MessageSpec read(Path file) throws IOException {
        JsonNode root = MAPPER.readTree(file.toFile());
        return new MessageSpec(
                root.path("name").asText(),
                root.path("type").asText(),
                root.has("apiKey") ? (short) root.get("apiKey").asInt() : null,
                Versions.parse(root.path("validVersions").asText(null)),
                Versions.parse(root.path("flexibleVersions").asText("none")),
                root.path("latestVersionUnstable").asBoolean(false),
                fields(root.path("fields")),
                structs(root.path("commonStructs")));
    }

    private static List<FieldSpec> structs(JsonNode array) {
        List<FieldSpec> out = new ArrayList<>();
        for (JsonNode s : array) {
            // A common struct is modelled as a field whose type is its own name.
            String name = s.path("name").asText();
            out.add(new FieldSpec(
                    name,
                    name,
                    Versions.parse(s.path("versions").asText("0+")),
                    Versions.NONE,
                    Versions.NONE,
                    null,
                    null,
                    false,
                    null,
                    null,
                    fields(s.path("fields"))));
        }
        return out;
    }

    private static List<FieldSpec> fields(JsonNode array) {
        List<FieldSpec> out = new ArrayList<>();
        for (JsonNode f : array) {
            out.add(new FieldSpec(
                    f.path("name").asText(),
                    f.path("type").asText(),
                    Versions.parse(f.path("versions").asText(null)),
                    Versions.parse(f.path("nullableVersions").asText("none")),
                    Versions.parse(f.path("taggedVersions").asText("none")),
                    f.has("tag") ? f.get("tag").asInt() : null,
                    f.has("default") ? f.get("default").asText() : null,
                    f.path("ignorable").asBoolean(false),
                    f.has("flexibleVersions")
                            ? Versions.parse(f.get("flexibleVersions").asText())
                            : null,
                    f.path("about").asText(""),
                    fields(f.path("fields"))));
        }
        return out;
    }
}
