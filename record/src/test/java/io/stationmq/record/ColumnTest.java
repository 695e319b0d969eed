package io.stationmq.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How sample fields become columns: kinds, widening, missing rows. */
@Timeout(10)
class ColumnTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Column column(String... values) throws Exception {
    Column c = new Column();
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        c.set(i, JSON.readTree(values[i]));
      }
    }
    return c;
  }

  @Test
  void integersStayInt64AndWidenToFloat64WithAFloat() throws Exception {
    assertArrayEquals(new long[] {1, 2, 3}, (long[]) column("1", "2", "3").data(3));
    assertArrayEquals(new double[] {1, 2.5, 3}, (double[]) column("1", "2.5", "3").data(3));
  }

  @Test
  void missingNumbersAreNaN() throws Exception {
    double[] d = (double[]) column("1", null, "3").data(4);
    assertEquals(1, d[0]);
    assertEquals(Double.NaN, d[1]);
    assertEquals(3, d[2]);
    assertEquals(Double.NaN, d[3]);
  }

  @Test
  void numericArraysOfOneLengthAreAMatrixAndOthersJson() throws Exception {
    double[][] m = (double[][]) column("[1,2]", "[3,4.5]").data(2);
    assertArrayEquals(new double[] {3, 4.5}, m[1]);
    assertArrayEquals(new String[] {"[1.0,2.0]", "[3,4,5]"}, (String[]) column("[1,2]", "[3,4,5]").data(2));
  }

  @Test
  void conflictingKindsBecomeJsonText() throws Exception {
    assertArrayEquals(new String[] {"1", "\"a\"", "true", "{\"k\":null}"},
        (String[]) column("1", "\"a\"", "true", "{\"k\":null}").data(4));
    assertArrayEquals(new String[] {"a", "", "c"}, (String[]) column("\"a\"", "\"\"", "\"c\"").data(3));
    JsonNode none = JSON.readTree("null");
    Column c = new Column();
    c.set(0, none);
    assertArrayEquals(new String[] {"null"}, (String[]) c.data(1));
  }

  @Test
  void booleansStayBooleansUntilOneIsMissing() throws Exception {
    assertArrayEquals(new boolean[] {true, false}, (boolean[]) column("true", "false").data(2));
    assertArrayEquals(new String[] {"true", "", "false"}, (String[]) column("true", null, "false").data(3));
  }
}
