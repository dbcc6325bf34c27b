// XmlParser: the one RAII owner of an expat XML_Parser, with namespace
// processing on so elements are matched by local name whatever prefix a
// writer chose (x:c, c) and in both transitional and strict OOXML. A
// document type declaration is refused: OOXML never has one, and refusing it
// closes the door on entity-expansion bombs. Thread-safety: one parser, one
// thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

struct XML_ParserStruct;

namespace ichigen::io {

class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  // `name` is the local name; `attributes` is expat's null-terminated list of
  // (namespace-qualified name, value) pairs — use XmlAttribute() to read it.
  virtual void StartElement(std::string_view name, const char** attributes) = 0;
  virtual void EndElement(std::string_view name) = 0;
  virtual void Characters(std::string_view text) = 0;
};

// The value of the attribute whose local name is `local` (any namespace), or
// nullptr.
const char* XmlAttribute(const char** attributes, std::string_view local);

class XmlParser {
 public:
  static core::Result<std::unique_ptr<XmlParser>> Create(XmlHandler& handler,
                                                         std::string part_name);
  ~XmlParser();
  XmlParser(const XmlParser&) = delete;
  XmlParser& operator=(const XmlParser&) = delete;
  // kInvalidArgument for malformed XML, naming the part and line.
  core::Status Feed(std::string_view data, bool last);
  // Lets a handler abandon the document (e.g. after the part it wanted).
  void Stop();

 private:
  friend struct XmlCallbacks;
  XmlParser(XML_ParserStruct* parser, XmlHandler& handler, std::string part_name);
  XML_ParserStruct* parser_;
  XmlHandler& handler_;
  std::string part_name_;
  bool doctype_seen_ = false;
  bool stopped_ = false;
};

}  // namespace ichigen::io
