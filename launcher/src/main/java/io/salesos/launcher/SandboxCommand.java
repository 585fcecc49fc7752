package io.salesos.launcher;

import io.salesos.demo.DemoOrgGenerator;
import io.salesos.cli.Main;
import io.salesos.demo.DemoOrgJson;
import io.salesos.demo.SandboxProvider;
import java.time.Instant;
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

  @Option(names = "--seed", description = "'demo' (the generated demo org), 'stock' (the same org in the CRM's stock shape:"
      + " standard stages or two stock pipelines, no custom input fields), 'small', or a JSON file of records (default: ${DEFAULT-VALUE})")
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
      System.setProperty(SandboxProvider.BARE_PROPERTY, "true");
    }
    if (DemoOrgJson.STOCK.equals(seed)) {
      System.setProperty(SandboxProvider.STOCK_PROPERTY, "true");
    }
    var sandboxProvider = SandboxProvider.of(crm).orElseThrow(() -> new IllegalArgumentException("no sandbox for '" + crm
        + "' in this build; known: " + SandboxProvider.all().stream().map(SandboxProvider::type).toList()));
    var org = records != null
        ? DemoOrgGenerator.generate(DemoOrgGenerator.Options.ofSize(Instant.now(), records))
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
