package dev.skiff.junit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's JUnit example is ReadmeExampleTest, character for character, so the README's code compiles and passes. */
class ReadmeInSyncTest {

    @Test
    void readmeShowsTheTestedExample() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String example = Files.readString(Path.of("src/test/java/dev/skiff/junit/ReadmeExampleTest.java"));
        assertTrue(
                readme.contains("```java\n" + example + "```\n"),
                "README.md must show src/test/java/dev/skiff/junit/ReadmeExampleTest.java verbatim in a ```java block");
    }

    @Test
    void readmeShowsTheTestedSecuredExample() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String example = Files.readString(Path.of("src/test/java/dev/skiff/junit/ReadmeSecuredExampleTest.java"));
        assertTrue(
                readme.contains("```java\n" + example + "```\n"),
                "README.md must show ReadmeSecuredExampleTest.java verbatim in a ```java block");
    }
}
