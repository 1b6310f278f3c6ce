#include <mpi.h>

// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, …) are macros over the addresses of global structs, which
// Swift does not import: these give them to Swift as values.
static inline MPI_Comm swiftgrad_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype swiftgrad_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype swiftgrad_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype swiftgrad_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op swiftgrad_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op swiftgrad_mpi_max(void) { return MPI_MAX; }
static inline void *swiftgrad_mpi_in_place(void) { return MPI_IN_PLACE; }
