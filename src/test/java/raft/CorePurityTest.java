package raft;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Raft core is a pure state machine: no Akka, no clock, no threads, no static randomness.
 * This keeps it deterministic, so every test and every simulated schedule replays from its seed.
 */
class CorePurityTest {
  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("raft", "wire");
  }

  private static JavaClasses pure() {
    return core.that(com.tngtech.archunit.base.DescribedPredicate.describe(
        "in raft, raft.message or raft.core",
        (com.tngtech.archunit.core.domain.JavaClass c) ->
            c.getPackageName().equals("raft") || c.getPackageName().equals("raft.message")
                || c.getPackageName().equals("raft.core")));
  }

  @Test
  void coreUsesNoAkkaClockOrThreads() {
    ArchRule rule = noClasses()
        .should().dependOnClassesThat().resideInAnyPackage("akka..", "java.time..", "java.util.concurrent..",
            "java.io..", "java.nio..", "java.net..")
        .because("raft.core is a pure state machine: time arrives as ticks, I/O is the caller's job");
    rule.check(pure());
  }

  @Test
  void coreLogsOnlyThroughItsPort() {
    ArchRule rule = noClasses()
        .should().dependOnClassesThat().resideInAnyPackage("org.slf4j..", "ch.qos.logback..", "com.fasterxml.jackson..")
        .because("the core logs through RaftLogger (raft.logging adapts it to SLF4J) and knows no wire format");
    rule.check(pure());
  }

  @Test
  void coreNeverReadsTheClockOrGlobalRandomness() {
    ArchRule rule = noClasses()
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(Math.class, "random")
        .orShould().callConstructor(java.util.Random.class)
        .orShould().callMethod(Thread.class, "sleep", long.class)
        .because("randomness comes from the injected seed and time from ticks");
    rule.check(pure());
  }

  @Test
  void wireDependsOnNothingOfOurs() {
    noClasses().that().resideInAPackage("wire..")
        .should().dependOnClassesThat().resideInAnyPackage("raft..", "kvraft..", "kvsrv..", "mapreduce..",
            "shardctrl..", "shardkv..", "node..", "cli..")
        .check(core);
  }
}
