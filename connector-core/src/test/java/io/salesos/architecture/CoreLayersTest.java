package io.salesos.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine's import graph, as docs/architecture.md draws it: no package cycles, the data path flows one way. */
class CoreLayersTest {

  static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
        .importPackages("io.salesos");
  }

  @Test
  void corePackagesHaveNoCycles() {
    slices().matching("io.salesos.(*)..").should().beFreeOfCycles().check(core);
  }

  @Test
  void theRulesEngineAndThePlannerArePure() {
    noClasses().that().resideInAnyPackage("io.salesos.rules..", "io.salesos.planner..")
        .should().dependOnClassesThat().resideInAnyPackage("io.salesos.mirror..", "io.salesos.sync..",
            "io.salesos.outbox..", "io.salesos.journal..", "io.salesos.connection..", "io.salesos.evaluate..",
            "io.salesos.visits..", "io.salesos.pipeline..", "java.sql..")
        .check(core);
  }

  @Test
  void thePushAndThePullMeetOnlyInThePipeline() {
    noClasses().that().resideInAPackage("io.salesos.outbox..")
        .should().dependOnClassesThat().resideInAnyPackage("io.salesos.sync..", "io.salesos.evaluate..", "io.salesos.pipeline..")
        .check(core);
    noClasses().that().resideInAPackage("io.salesos.sync..")
        .should().dependOnClassesThat().resideInAnyPackage("io.salesos.outbox..", "io.salesos.evaluate..", "io.salesos.pipeline..")
        .check(core);
  }

  @Test
  void onlyThePipelineAssemblesTheDataPath() {
    noClasses().that().resideOutsideOfPackage("io.salesos.pipeline..")
        .should().dependOnClassesThat().resideInAPackage("io.salesos.pipeline..")
        .check(core);
  }
}
