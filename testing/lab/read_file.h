// Reads a whole file for lab tests and tools: a child's output, /proc, a Markdown file.
#ifndef REFLECTOR_TESTING_LAB_READ_FILE_H_
#define REFLECTOR_TESTING_LAB_READ_FILE_H_

#include <string>

namespace reflector::testing::lab {

// The file's bytes; empty when it does not exist or cannot be read (a child that has not
// written yet, a Markdown file that is still to be made).
std::string ReadFile(const std::string& path);

}  // namespace reflector::testing::lab

#endif  // REFLECTOR_TESTING_LAB_READ_FILE_H_
