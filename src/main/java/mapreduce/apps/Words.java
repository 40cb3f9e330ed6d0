package mapreduce.apps;

import java.util.ArrayList;
import java.util.List;

/** The lab's tokenizer: words are maximal runs of Unicode letters; every other code point separates. */
final class Words {
  private Words() {}

  static List<String> split(String text) {
    List<String> words = new ArrayList<>();
    int n = text.length();
    int start = -1;
    int i = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      if (Character.isLetter(cp)) {
        if (start < 0) {
          start = i;
        }
      } else if (start >= 0) {
        words.add(text.substring(start, i));
        start = -1;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      words.add(text.substring(start));
    }
    return words;
  }
}
