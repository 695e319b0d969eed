package io.stationmq.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns the Java values a message is built with (its value and extra fields) into the JSON trees
 * it carries, with numbers of the node types decoding gives them, so a built message equals its
 * decoded copy. Backs {@link MessageCodec#toJson} and {@link Message.Builder}.
 *
 * <p>Stateless and thread-safe. A value Jackson cannot represent fails with {@link
 * IllegalArgumentException}. Not public API.
 */
final class ValueTrees {
  private ValueTrees() {}

  /** Converts any Java value (or a Jackson tree, copied) to a tree; null becomes JSON null. */
  static JsonNode toTree(Object value) {
    if (value == null) {
      return NullNode.getInstance();
    }
    if (value instanceof JsonNode) {
      return ((JsonNode) value).deepCopy();
    }
    // The common scalars directly: every CONFIRM's value is a string, and Jackson's
    // valueToTree costs a type lookup and a buffer per call.
    if (value instanceof String s) {
      return TextNode.valueOf(s);
    }
    if (value instanceof Integer i) {
      return IntNode.valueOf(i);
    }
    if (value instanceof Boolean b) {
      return BooleanNode.valueOf(b);
    }
    try {
      JsonNode tree = MessageCodec.MAPPER.valueToTree(value);
      return tree == null ? NullNode.getInstance() : canonicalNumbers(tree);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "value of type " + value.getClass().getName() + " cannot be represented as JSON: " + MessageCodec.firstLine(e.getMessage()), e);
    }
  }

  /**
   * Gives numbers the node types decoding would give them (int when it fits, else long, else
   * big integer; every fraction a double), so a built message equals its decoded copy.
   */
  private static JsonNode canonicalNumbers(JsonNode node) {
    if (node.isNumber()) {
      if (node.isIntegralNumber()) {
        if (node.canConvertToInt()) {
          return node.isInt() ? node : IntNode.valueOf(node.intValue());
        }
        if (node.canConvertToLong()) {
          return node.isLong() ? node : LongNode.valueOf(node.longValue());
        }
        return node.isBigInteger() ? node : BigIntegerNode.valueOf(node.bigIntegerValue());
      }
      if (node.isDouble()) {
        return node;
      }
      // A float is written by its shortest text (1.1f as 1.1), which reads back as that double.
      return DoubleNode.valueOf(node.isFloat() ? Double.parseDouble(Float.toString(node.floatValue())) : node.doubleValue());
    }
    if (node.isObject()) {
      ObjectNode obj = (ObjectNode) node;
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode c = canonicalNumbers(e.getValue());
        if (c != e.getValue()) {
          e.setValue(c);
        }
      }
    } else if (node.isArray()) {
      ArrayNode arr = (ArrayNode) node;
      for (int i = 0; i < arr.size(); i++) {
        JsonNode c = canonicalNumbers(arr.get(i));
        if (c != arr.get(i)) {
          arr.set(i, c);
        }
      }
    }
    return node;
  }
}
