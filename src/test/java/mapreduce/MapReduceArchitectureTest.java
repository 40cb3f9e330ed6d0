package mapreduce;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** mapreduce uses wire, Akka, the JDK and SLF4J only; its job logic reads no clock and knows no actors. */
class MapReduceArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("mapreduce");
  }

  @Test
  void dependsOnlyOnWireAkkaJdkAndSlf4j() {
    noClasses().that().resideInAPackage("mapreduce..")
        .should().dependOnClassesThat().resideInAnyPackage("raft..", "kvraft..", "kvsrv..", "shardctrl..",
            "shardkv..", "node..", "cli..", "testkit..", "com.typesafe.config..")
        .check(classes);
  }

  @Test
  void jobStateIsPure() {
    noClasses().that().haveSimpleNameStartingWith("JobState").or().haveSimpleNameStartingWith("JobEvent")
        .should().dependOnClassesThat().resideInAnyPackage("akka..", "java.time..", "java.util.concurrent..", "java.io..",
            "java.nio..")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .because("the coordinator's job logic takes time as ticks and is tested without actors")
        .check(classes);
  }
}
