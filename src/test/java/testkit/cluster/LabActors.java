package testkit.cluster;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LabActorSystem} per test class, as a JUnit extension: started before all tests
 * (ActorTestKit belongs in {@code @BeforeAll}), closed after them. Register it as a static field.
 */
public final class LabActors implements BeforeAllCallback, AfterAllCallback {
  private LabActorSystem system;

  @Override
  public void beforeAll(ExtensionContext context) {
    system = LabActorSystem.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    system.close();
  }

  public LabActorSystem system() {
    return system;
  }
}
