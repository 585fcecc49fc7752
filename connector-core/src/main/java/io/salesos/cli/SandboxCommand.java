package io.salesos.cli;

import io.salesos.demo.DemoOrgJson;
import io.salesos.spi.ConnectorProvider;
import java.time.Instant;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs one CRM sandbox alone, seeded, until interrupted, so any client can be pointed at it. */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = "Run a local, stateful sandbox of a CRM (hubspot or salesforce) that speaks its real API.")
final class SandboxCommand implements Runnable {

  @Parameters(index = "0", paramLabel = "CRM", description = "hubspot or salesforce")
  String crm;

  @Option(names = "--port", description = "port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one)")
  int port = 0;

  @Option(names = "--seed", description = "'demo' (the generated demo org), 'small', or a JSON file of records (default: ${DEFAULT-VALUE})")
  String seed = "demo";

  @Option(names = "--records", description = "instead of the demo org, a generated org of about this many records (for benchmarks)")
  Integer records;

  @Option(names = "--without-salesos-fields",
      description = "start without the fields salesos writes, as a CRM before `salesos schema prepare`")
  boolean bare;

  @Override
  public void run() {
    if (bare) {
      // read by the sandbox providers, as salesos.sandbox.limits is
      System.setProperty(io.salesos.spi.SandboxProvider.BARE_PROPERTY, "true");
    }
    var provider = ServiceLoader.load(ConnectorProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equalsIgnoreCase(crm))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no connector for '" + crm + "' in this build; known: "
            + ServiceLoader.load(ConnectorProvider.class).stream().map(p -> p.get().type()).toList()));
    var sandboxProvider = provider.sandbox().orElseThrow(
        () -> new IllegalArgumentException("the " + crm + " connector ships no sandbox"));
    var org = records != null
        ? io.salesos.demo.DemoOrgGenerator.generate(io.salesos.demo.DemoOrgGenerator.Options.ofSize(Instant.now(), records))
        : DemoOrgJson.seed(seed, Instant.now());
    try (var sandbox = sandboxProvider.start(port, org)) {
      System.out.println(sandbox.describe());
      // machine-readable lines for scripts and `salesos bench sync`
      sandbox.connectionSettings().forEach((k, v) -> System.out.println("connection." + k + "=" + v));
      System.out.println("seeded with " + org.size() + " records; press Ctrl-C to stop");
      System.out.flush();
      var stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("the " + crm + " sandbox failed: " + Main.message(e), e);
    }
  }
}
