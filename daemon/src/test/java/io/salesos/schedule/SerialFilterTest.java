package io.salesos.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quartz.JobDataMap;

/** Quartz's blobs are read through the filter: Quartz's own types and JDK values pass, anything else is refused. */
class SerialFilterTest {

  /** Stands for a gadget class an attacker would plant in a Quartz blob row. */
  static final class Planted implements Serializable {
    private static final long serialVersionUID = 1L;
    String command = "touch /tmp/owned";
  }

  @Test
  void quartzJobDataAndPlainValuesAreRead() throws Exception {
    var data = new JobDataMap(Map.of("connection", "hubspot", "attempts", 3));
    var back = (JobDataMap) read(bytes(data));
    assertThat(back.getString("connection")).isEqualTo("hubspot");
    assertThat(back.getInt("attempts")).isEqualTo(3);
  }

  @Test
  void aPlantedClassIsRefusedBeforeItIsBuilt() throws IOException {
    var map = new HashMap<String, Object>();
    map.put("payload", new Planted());
    assertThatThrownBy(() -> read(bytes(map))).isInstanceOf(InvalidClassException.class)
        .hasMessageContaining("REJECTED");
  }

  @Test
  void aDeeplyNestedBlobIsRefused() throws IOException {
    Object nested = "leaf";
    for (int i = 0; i < 50; i++) {
      var m = new HashMap<String, Object>();
      m.put("n", nested);
      nested = m;
    }
    byte[] blob = bytes(nested);
    assertThatThrownBy(() -> read(blob)).isInstanceOf(InvalidClassException.class);
  }

  private static byte[] bytes(Object o) throws IOException {
    var out = new ByteArrayOutputStream();
    try (var oos = new ObjectOutputStream(out)) {
      oos.writeObject(o);
    }
    return out.toByteArray();
  }

  private static Object read(byte[] blob) throws IOException, ClassNotFoundException {
    try (var in = new ObjectInputStream(new ByteArrayInputStream(blob))) {
      in.setObjectInputFilter(SerialFilter.FILTER);
      return in.readObject();
    }
  }
}
