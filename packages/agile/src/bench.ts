/** AGILE's bench entries (`pnpm bench` collects them). */
export const agileAlgorithms = [];
