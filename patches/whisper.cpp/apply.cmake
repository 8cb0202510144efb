# Applies swimlane's patches to whisper.cpp before it is built.
#
# whisper-rs-sys builds whisper.cpp with cmake from a copy of the sources in cargo's build folder,
# and hands every CMAKE_* variable of the environment to cmake; .cargo/config.toml sets
# CMAKE_PROJECT_INCLUDE to this file, which cmake then runs after each project() call. Only the
# whisper.cpp project is patched, and only its copy: the crate in cargo's registry is untouched.
# A patch already applied (cmake configures again on every rebuild) is left alone; one that
# neither applies nor is applied (another whisper.cpp version) stops the build, so swimlane never
# runs with a whisper.cpp it was not measured with.

if(NOT PROJECT_NAME STREQUAL "whisper.cpp")
    return()
endif()

find_program(SWIMLANE_PATCH patch)
if(NOT SWIMLANE_PATCH)
    message(FATAL_ERROR
        "swimlane: building whisper.cpp needs the `patch` program to apply ${CMAKE_CURRENT_LIST_DIR}; "
        "install it (Debian: apt-get install patch) or run scripts/setup")
endif()

file(GLOB swimlane_patches "${CMAKE_CURRENT_LIST_DIR}/*.patch")
list(SORT swimlane_patches)
foreach(swimlane_patch IN LISTS swimlane_patches)
    execute_process(
        COMMAND "${SWIMLANE_PATCH}" -p1 --reverse --dry-run --force --silent --fuzz=0 -i "${swimlane_patch}"
        WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
        RESULT_VARIABLE swimlane_applied_already
        OUTPUT_QUIET ERROR_QUIET)
    if(swimlane_applied_already EQUAL 0)
        continue()
    endif()
    # Checked whole before anything is written, so a patch that fails leaves no half-patched file.
    foreach(swimlane_pass --dry-run --no-backup-if-mismatch)
        execute_process(
            COMMAND "${SWIMLANE_PATCH}" -p1 --forward --batch --fuzz=0 ${swimlane_pass} -i "${swimlane_patch}"
            WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
            RESULT_VARIABLE swimlane_failed
            OUTPUT_VARIABLE swimlane_output
            ERROR_VARIABLE swimlane_output)
        if(swimlane_failed)
            message(FATAL_ERROR
                "swimlane: ${swimlane_patch} does not apply to the whisper.cpp in ${PROJECT_SOURCE_DIR} "
                "(it was written for whisper.cpp 1.8.3 from whisper-rs-sys 0.15.0, which Cargo.lock pins):\n${swimlane_output}")
        endif()
    endforeach()
    message(STATUS "swimlane: applied ${swimlane_patch}")
endforeach()
