package dev.skiff.it.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of DEVELOPERS.md, checked on the compiled classes of every module (tests left out), so
 * {@code mvn verify} fails when one is broken: dependencies point one way, from the server down to codec, log
 * and config; broker-core uses Netty's buffers but never its channels; no package cycles in the broker.
 */
class LayeringTest {

    private static JavaClasses skiff;

    @BeforeAll
    static void importClasses() {
        skiff = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.skiff");
    }

    @Test
    void codecLogAndConfigKnowNothingOfTheBroker() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.skiff.protocol..", "dev.skiff.log..", "dev.skiff.config..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.skiff.broker..", "dev.skiff.server..")
                .because("codec, log and config are the bottom layer (DEVELOPERS.md)")
                .check(skiff);
    }

    @Test
    void brokerCoreUsesNoNettyChannels() {
        noClasses()
                .that()
                .resideInAPackage("dev.skiff.broker..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.netty.channel..", "io.netty.bootstrap..")
                .because("broker-core runs without a network; only Netty's buffers are allowed")
                .check(skiff);
    }

    @Test
    void brokerCoreDoesNotImportTheServer() {
        noClasses()
                .that()
                .resideInAPackage("dev.skiff.broker..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.skiff.server..")
                .because("broker-server is built on broker-core, never the other way")
                .check(skiff);
    }

    @Test
    void brokerCorePackagesHaveNoCycles() {
        slices().matching("dev.skiff.broker.(*)..").should().beFreeOfCycles().check(skiff);
    }

    @Test
    void brokerServerPackagesHaveNoCycles() {
        slices().matching("dev.skiff.server.(*)..").should().beFreeOfCycles().check(skiff);
    }
}
