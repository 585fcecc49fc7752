package io.salesos.salesforce.sandbox;

import io.salesos.demo.DemoOrg;
import io.salesos.spi.SandboxProvider;

/** Starts the Salesforce sandbox org for core's {@code sandbox salesforce} verb and the demo. */
public final class SalesforceSandboxProvider implements SandboxProvider {

  @Override
  public Sandbox start(int port, DemoOrg seed) {
    return SalesforceSandbox.builder().port(port).seed(seed).start();
  }
}
