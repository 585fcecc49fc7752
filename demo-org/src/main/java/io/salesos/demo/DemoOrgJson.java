package io.salesos.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Reads and writes a {@link DemoOrg} as JSON, so a sandbox can be seeded from a file of records
 * ({@code --seed FILE}); {@code salesos demo --export-seed FILE} writes the demo org in this form
 * as a starting point.
 */
public final class DemoOrgJson {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .addModule(new Jdk8Module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private DemoOrgJson() {}

  public static DemoOrg read(Path file) {
    try {
      return MAPPER.readValue(Files.readString(file), DemoOrg.class);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new IllegalArgumentException(file + ":" + (loc == null ? 1 : loc.getLineNr()) + ":"
          + (loc == null ? 1 : loc.getColumnNr()) + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the seed file " + file, e);
    }
  }

  public static void write(DemoOrg org, Path file) {
    try {
      Files.writeString(file, MAPPER.writeValueAsString(org));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The seed name of the demo org in each CRM's stock shape. */
  public static final String STOCK = "stock";

  /**
   * {@code demo} means the generated demo org as of {@code asOf} ({@code stock}: the same org, which
   * the sandboxes then hold in their CRM's stock shape, see {@link SandboxProvider#STOCK_PROPERTY});
   * anything else is a JSON file.
   */
  public static DemoOrg seed(String seed, Instant asOf) {
    if (seed == null || seed.equals("demo") || seed.equals(STOCK)) {
      return DemoOrgGenerator.generate(DemoOrgGenerator.Options.demo(asOf));
    }
    if (seed.equals("small")) {
      return DemoOrgGenerator.generate(DemoOrgGenerator.Options.small(asOf));
    }
    return read(Path.of(seed));
  }
}
