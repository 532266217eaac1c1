{
  "targets": [
    {
      "target_name": "qscape_native",
      "sources": ["native/qscape_native.cc"],
      "libraries": ["-lopenblas"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-fno-math-errno", "-fno-trapping-math"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
